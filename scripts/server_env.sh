# The process environment the portal's server runs in; scripts/serve.sh sources it (so every deployment
# that runs serve.sh gets it), and benchmarks/password_logins.py measures the argon2 limit in it too.
# Operators who start Reflex some other way (a container entrypoint of their own) should set the same.

# Large allocations on transparent huge pages. Every password hash or verification allocates argon2's
# 64 MiB work area and frees it; in 4 KiB pages that is 16,384 page faults and ~25 ms of kernel time
# per login, a sixth of the hash (docs/benchmarks.md, "argon2's memory on huge pages").
# glibc then asks for huge pages (madvise) on blocks it maps with mmap; small blocks are unaffected, and
# where transparent huge pages are off (or the C library is not glibc) nothing changes.
# An operator's own GLIBC_TUNABLES are kept.
case ":${GLIBC_TUNABLES:-}:" in
  *:glibc.malloc.hugetlb=*) ;;
  *) export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1" ;;
esac
