#!/bin/sh
# Make a small git tree tagged "upstream" and "base", and a series directory
# whose second patch does not apply to it, for tests/harness.sh.
# Usage: tests/fake-tree.sh TREE PATCHDIR
set -eu
tree=$1 dir=$2
rm -rf "$tree" "$dir"
mkdir -p "$tree" "$dir"
cd "$tree"
git init -q
git config user.name "fake tree"
git config user.email "fake@tree.invalid"
echo "hello" >hello.txt
git add hello.txt
git commit -qm "upstream"
git tag upstream
git tag base
git checkout -q -b work
echo "hello, world" >hello.txt
git commit -qam "change hello"
git format-patch -q -1 -o "$dir"
git reset -q --hard base
echo "goodbye" >hello.txt
git commit -qam "break hello"
git format-patch -q -1 --start-number 2 -o "$dir"
git checkout -q --detach base
git branch -qD work
ls "$dir" >"$dir/series"
