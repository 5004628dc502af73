rm -r build
