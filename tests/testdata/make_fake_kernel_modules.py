#!/usr/bin/env python3
"""Writes the small fake kernel modules of the fixture roots (run from the repo root; needs openssl).

Each is a minimal ELF64 relocatable object with a .modinfo section, the part of a real .ko that
modinfo(8) and the kernel_modules collector read. A signed one also carries the trailer the kernel's
scripts/sign-file appends: a detached PKCS#7 (CMS) SignedData without certificates or attributes,
struct module_signature {algo, hash, id_type=2 (PKCS#7), signer_len, key_id_len, pad[3], be32 sig_len}
and the magic "~Module signature appended~\\n". The signing certificate is issued by a throw-away CA
whose common name is what `modinfo -F signer` prints.
"""
import os
import struct
import subprocess
import tempfile

ROOT = "tests/testdata"


def elf_with_modinfo(modinfo: dict, machine: int = 62) -> bytes:
    body = b"".join(f"{k}={v}".encode() + b"\0" for k, v in modinfo.items())
    shstrtab = b"\0.modinfo\0.shstrtab\0"
    ehsize, shentsize = 64, 64
    modinfo_off = ehsize
    shstr_off = modinfo_off + len(body)
    shoff = (shstr_off + len(shstrtab) + 7) & ~7
    shnum, shstrndx = 3, 2
    header = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    header += struct.pack("<HHIQQQIHHHHHH", 1, machine, 1, 0, 0, shoff, 0, ehsize, 0, 0,
                          shentsize, shnum, shstrndx)
    data = bytearray(header + body + shstrtab)
    data += b"\0" * (shoff - len(data))

    def sh(name, typ, flags, off, size, align):
        return struct.pack("<IIQQQQIIQQ", name, typ, flags, 0, off, size, 0, 0, align, 0)

    data += sh(0, 0, 0, 0, 0, 0)
    data += sh(1, 1, 2, modinfo_off, len(body), 1)          # .modinfo, PROGBITS, ALLOC
    data += sh(10, 3, 0, shstr_off, len(shstrtab), 1)       # .shstrtab, STRTAB
    return bytes(data)


def sign(module: bytes, ca_cn: str, signer_cn: str, serial: str) -> bytes:
    with tempfile.TemporaryDirectory() as d:
        def run(*args):
            subprocess.run(args, cwd=d, check=True, capture_output=True)
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
            "-out", "ca.crt", "-days", "3650", "-subj", f"/CN={ca_cn}")
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "signer.key",
            "-out", "signer.csr", "-subj", f"/CN={signer_cn}")
        run("openssl", "x509", "-req", "-in", "signer.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-set_serial", serial, "-days", "3650", "-out", "signer.crt")
        with open(os.path.join(d, "module"), "wb") as f:
            f.write(module)
        run("openssl", "cms", "-sign", "-in", "module", "-signer", "signer.crt", "-inkey",
            "signer.key", "-binary", "-noattr", "-nocerts", "-nosmimecap", "-md", "sha256",
            "-outform", "DER", "-out", "module.p7s")
        with open(os.path.join(d, "module.p7s"), "rb") as f:
            sig = f.read()
    trailer = struct.pack(">BBBBB3xI", 0, 0, 2, 0, 0, len(sig))
    return module + sig + trailer + b"~Module signature appended~\n"


def write(path: str, data: bytes) -> None:
    full = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data)


def main() -> None:
    deb = "root-debian/lib/modules/6.1.0-18-amd64/"
    ext4 = elf_with_modinfo({
        "license": "GPL",
        "description": "Fourth Extended Filesystem",
        "author": "Remy Card, Stephen Tweedie, Andrew Morton, Andreas Dilger, Theodore Ts'o and others",
        "alias": "fs-ext4",
        "srcversion": "8B1A7C3B33E64D2F4D64F6B",
        "depends": "mbcache,jbd2,crc16",
        "intree": "Y",
        "name": "ext4",
        "vermagic": "6.1.0-18-amd64 SMP preempt mod_unload modversions ",
    })
    write(deb + "kernel/fs/ext4/ext4.ko",
          sign(ext4, "Debian Secure Boot CA", "Debian Secure Boot Signer 2022 - linux",
               "0x4A1C0F4E8D2B6C97"))
    write(deb + "updates/dkms/vboxdrv.ko", elf_with_modinfo({
        "version": "7.0.14 r161095 (0x00330004)",
        "license": "GPL",
        "description": "Oracle VM VirtualBox Support Driver",
        "author": "Oracle and/or its affiliates",
        "srcversion": "E1C6A2D49A3B0F5D8C7B6A5",
        "depends": "",
        "name": "vboxdrv",
        "vermagic": "6.1.0-18-amd64 SMP preempt mod_unload modversions ",
    }))


if __name__ == "__main__":
    main()
