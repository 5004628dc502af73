cat -n poem.txt > numbered.txt
