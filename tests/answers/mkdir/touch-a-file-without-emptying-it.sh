ls -l diary.txt
touch diary.txt
