cd
