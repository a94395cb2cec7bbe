#include <stdio.h>
#include <string.h>
int f1(int n) { char b[64]; snprintf(b, sizeof b, "f1 %d", n); return (int) strlen(b) + n * 1; }
