# ./~ starts with a dot, so the ~ is not at the start of the word
cd ./~
