type cd
