PATH=~/tools:$PATH
hello
