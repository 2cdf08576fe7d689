"""Writes the README's embedding example (between its markers) to a .cpp file."""
import re
import sys

readme, output = sys.argv[1], sys.argv[2]
text = open(readme, encoding="utf-8").read()
match = re.search(r"<!-- embedding-example -->\n```cpp\n(.*?)```\n<!-- /embedding-example -->", text, re.S)
if not match:
    sys.exit("README.md has no embedding example between the markers")
open(output, "w", encoding="utf-8").write(match.group(1))
