mkdir -p notes/2024/march
