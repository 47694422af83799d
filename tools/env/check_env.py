"""Check that the installed stack can run mmringmoe; prints the fix for each problem (exit 1 if any)."""
import argparse
import sys

from mmringmoe.utils.check_env import main

if __name__ == '__main__':
    argparse.ArgumentParser(description=__doc__).parse_args()
    sys.exit(main())
