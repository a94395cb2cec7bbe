# A Python "store" for rmaplab's traces (traces/py-bgsave.strace, perf/py-bgsave.perf.gz): three
# bytearray values grow by 96 KiB a round; CPython's bytearray resize is PyMem_Realloc, which for
# blocks above 512 bytes is glibc realloc, and past the mmap threshold glibc's mremap_chunk()
# moves them with mremap(MREMAP_MAYMOVE). Every fourth round a snapshot child is forked
# (BGSAVE-like: it reads the values and exits) while the parent keeps growing them.
import os

values = [bytearray() for _ in range(3)]
children = []
for r in range(8):
    if r % 4 == 1:
        pid = os.fork()
        if pid == 0:
            os._exit(sum(v[0] for v in values if v) & 1)
        children.append(pid)
    for v in values:
        v.extend(bytes([r]) * (96 << 10))
for pid in children:
    os.waitpid(pid, 0)
print(sum(len(v) for v in values))
