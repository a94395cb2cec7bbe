#include <stdio.h>
#include <string.h>
int f2(int n) { char b[64]; snprintf(b, sizeof b, "f2 %d", n); return (int) strlen(b) + n * 2; }
