#!/usr/bin/env python3
"""Rewrites an evidence pack with edits, for the pack tamper tests (tests/sh/pack-tamper.sh).

usage: retar.py IN.tar.gz OUT.tar.gz OP ARG... [+ OP ARG...]
Paths REL are relative to the pack's folder. Ops, applied in order:
  edit-byte REL OFFSET       flip the bits of one byte
  remove REL                 drop a member
  add REL TEXT               add a regular file
  add-raw NAME TEXT          add a member named NAME exactly (no folder prefix)
  add-symlink REL TARGET     add a symbolic link
  duplicate REL              add a second copy of a member
  manifest-set KEY JSON      set a manifest key (dotted: audit.head_hash) to a JSON value
  manifest-raw TEXT          replace manifest.json by TEXT
  swap-lines REL I J         swap lines I and J (0-based) of a text member
  drop-last-line REL         remove the last line of a text member
  event-set SEQ FIELD JSON   set a field of audit event SEQ in audit/events.jsonl ("first":
                             the first event given in full)
  manifest-list REL [E-N]    list a member in the manifest (as evidence E-N when given)
  fix-manifest               recompute every listed file's sha256 and size
The archive is written as ustar with gzip, as mrm writes it.
"""
import hashlib
import io
import json
import sys
import tarfile


def main():
    src, dst, ops = sys.argv[1], sys.argv[2], sys.argv[3:]
    members = []
    with tarfile.open(src, 'r:gz') as t:
        for m in t.getmembers():
            members.append([m, t.extractfile(m).read() if m.isfile() else b''])
    root = members[0][0].name.split('/')[0]

    def find(rel):
        for item in members:
            if item[0].name == root + '/' + rel:
                return item
        sys.exit('no member ' + rel)

    def regular(name, data):
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = len(data), 0o644, members[0][0].mtime
        return [info, data]

    groups, cur = [], []
    for a in ops:
        if a == '+':
            groups.append(cur)
            cur = []
        else:
            cur.append(a)
    groups.append(cur)
    for g in groups:
        op, args = g[0], g[1:]
        if op == 'edit-byte':
            item = find(args[0])
            b = bytearray(item[1])
            b[int(args[1])] ^= 0xff
            item[1] = bytes(b)
        elif op == 'remove':
            members.remove(find(args[0]))
        elif op == 'add':
            members.append(regular(root + '/' + args[0], args[1].encode()))
        elif op == 'add-raw':
            members.append(regular(args[0], args[1].encode()))
        elif op == 'add-symlink':
            info = tarfile.TarInfo(root + '/' + args[0])
            info.type, info.linkname = tarfile.SYMTYPE, args[1]
            members.append([info, b''])
        elif op == 'duplicate':
            item = find(args[0])
            members.append(regular(item[0].name, item[1]))
        elif op in ('manifest-set', 'manifest-raw', 'fix-manifest', 'manifest-list'):
            item = find('manifest.json')
            if op == 'manifest-raw':
                item[1] = args[0].encode()
                continue
            man = json.loads(item[1])
            if op == 'manifest-list':
                entry = {'path': args[0], 'sha256': '', 'size': 0, 'kind': 'evidence'}
                if len(args) > 1:
                    entry['evidence_id'] = args[1]
                man['files'].append(entry)
            elif op == 'manifest-set':
                keys, obj = args[0].split('.'), man
                for k in keys[:-1]:
                    obj = obj[k]
                obj[keys[-1]] = json.loads(args[1])
            if op in ('manifest-list', 'fix-manifest'):
                for f in man['files']:
                    data = find(f['path'])[1]
                    f['sha256'], f['size'] = hashlib.sha256(data).hexdigest(), len(data)
            item[1] = (json.dumps(man, indent=2) + '\n').encode()
        elif op in ('swap-lines', 'drop-last-line'):
            item = find(args[0])
            lines = item[1].decode().split('\n')[:-1]
            if op == 'swap-lines':
                i, j = int(args[1]), int(args[2])
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines.pop()
            item[1] = ('\n'.join(lines) + '\n').encode()
        elif op == 'event-set':
            item = find('audit/events.jsonl')
            out, seq = [], args[0]
            for line in item[1].decode().split('\n')[:-1]:
                e = json.loads(line)
                if seq == 'first' and not e.get('omitted'):
                    seq = str(e['seq'])
                if str(e['seq']) == seq:
                    e[args[1]] = json.loads(args[2])
                    line = json.dumps(e, separators=(',', ':'))
                out.append(line)
            item[1] = ('\n'.join(out) + '\n').encode()
        else:
            sys.exit('unknown op ' + op)
    with tarfile.open(dst, 'w:gz', format=tarfile.USTAR_FORMAT) as t:
        for info, data in members:
            info.size = len(data) if info.isfile() else 0
            t.addfile(info, io.BytesIO(data) if info.isfile() else None)


main()
