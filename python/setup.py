"""Build glue: the wheel carries libhks and the SQLite extension.

build_py runs the checkout's top-level `make lib sqlite` (the same compiler
step as building hksearch itself) and copies build/libhks.so and
build/hks_fts5.so into the package. Metadata is in pyproject.toml."""
import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
# (file in the top-level build/ folder, name inside the package)
# build/libhks.so is the soname's symlink chain; the package keeps one file
# under a fixed name, so a soname bump needs no change here.
LIBS = [("libhks.so", "libhks.so"), ("hks_fts5.so", "hks_fts5.so")]


class BuildWithLib(build_py):
    def run(self):
        if not os.path.exists(os.path.join(TOP, "include", "hks.h")):
            raise SystemExit("hksearch: build from the hksearch checkout (python/ beside include/)")
        # A clean environment for make: when pip runs from `make test`, the
        # caller's MAKEFLAGS (e.g. SANITIZE=..., BUILD=...) must not move the
        # build out of build/.
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        subprocess.run(["make", "-C", TOP, "--no-print-directory", "lib", "sqlite"], check=True,
                       env=env)
        super().run()
        dst = os.path.join(self.build_lib, "hksearch")
        os.makedirs(dst, exist_ok=True)
        for src, name in LIBS:
            # copyfile follows the soname symlink to the real file.
            shutil.copyfile(os.path.join(TOP, "build", src), os.path.join(dst, name))


class BinaryDistribution(Distribution):
    """The package holds a shared library: the wheel is platform-specific."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithLib}, distclass=BinaryDistribution)
