# the quoted word keeps $HOME as it is
cat > hello.sh <<'EOF'
#!/bin/sh
echo "Hello from $HOME"
EOF
