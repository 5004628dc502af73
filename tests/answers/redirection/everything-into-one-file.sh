# the portable spelling: stdout to the file, then stderr a copy of it
ls notes.txt missing.txt > all.txt 2>&1
