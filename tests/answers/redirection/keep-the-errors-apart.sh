ls notes.txt missing.txt 2> errors.txt
