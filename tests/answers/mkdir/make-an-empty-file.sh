touch notes/todo.txt
