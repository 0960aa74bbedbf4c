import sys

from micrograd_edu.cli import main

sys.exit(main())
