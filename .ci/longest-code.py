#!/usr/bin/env python3
"""The longest methods and classes in main code (src/main/java of the given folders), in lines from
the declaration (after its annotations and Javadoc) to the closing brace: issue 14 keeps methods
under 60 lines and classes under 400. Usage: .ci/longest-code.py crds trainer operator
(TOP=N lists N of each, default 5)."""
import os
import re
import sys

CONTROL = re.compile(r'^(if|for|while|switch|catch|try|do|else|synchronized|return|case|default)\b')
TYPE = re.compile(r'\b(class|record|enum|interface)\s+\w+')

def strip(src):
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith('//', i):
            j = src.find('\n', i); j = n if j < 0 else j; i = j; continue
        if src.startswith('/*', i):
            j = src.find('*/', i) + 2; out.append(re.sub(r'[^\n]', ' ', src[i:j])); i = j; continue
        if src.startswith('"""', i):
            j = src.find('"""', i + 3) + 3; out.append(re.sub(r'[^\n]', ' ', src[i:j])); i = j; continue
        if c in '"\'':
            j = i + 1
            while src[j] != c:
                j += 2 if src[j] == '\\' else 1
            out.append(' ' * (j + 1 - i)); i = j + 1; continue
        out.append(c); i += 1
    return ''.join(out)

def measure(path):
    s = strip(open(path).read())
    stack, start, found = [], 0, []
    line_of = lambda k: s.count('\n', 0, k) + 1
    for k, c in enumerate(s):
        if c == '{':
            text = s[start:k]
            head = text.strip()
            # skip leading annotations
            m = re.match(r'^((@[\w.]+(\([^)]*\))?\s*)*)', head)
            decl = head[len(m.group(1)):] if m else head
            off = text.find(decl) if decl else len(text)
            kind = None
            if TYPE.search(decl) and 'new ' not in decl and '->' not in decl:
                kind = 'class'
            elif ('(' in decl and not CONTROL.match(decl) and '->' not in decl and 'new ' not in decl
                  and '=' not in decl.split('(')[0] and re.search(r'\w+\s*\(', decl)):
                kind = 'method'
            name = None
            if kind == 'class':
                name = TYPE.search(decl).group(0).split()[-1]
            elif kind == 'method':
                name = re.search(r'(\w+)\s*\(', decl).group(1)
            stack.append((kind, name, line_of(start + off)))
            start = k + 1
        elif c == '}':
            kind, name, first = stack.pop()
            if kind:
                found.append((line_of(k) - first + 1, kind, name, path, first))
            start = k + 1
        elif c == ';':
            start = k + 1
    return found

rows = []
for root in sys.argv[1:]:
    for d, _, files in os.walk(root):
        if '/src/main/java' not in d + '/':
            continue
        for f in files:
            if f.endswith('.java'):
                rows += measure(os.path.join(d, f))
for kind in ('method', 'class'):
    print(f'longest {kind}es:' if kind == 'class' else f'longest {kind}s:')
    for n, _, name, path, first in sorted([r for r in rows if r[1] == kind], reverse=True)[:int(os.environ.get('TOP', 5))]:
        print(f'  {n:4d}  {name}  {path}:{first}')
