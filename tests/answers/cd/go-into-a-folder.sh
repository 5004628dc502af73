cd projects
cd website
