#include <stdio.h>
#include <string.h>
int f4(int n) { char b[64]; snprintf(b, sizeof b, "f4 %d", n); return (int) strlen(b) + n * 4; }
