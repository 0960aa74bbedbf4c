from micrograd_edu.cli import main

main()
