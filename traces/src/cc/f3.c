#include <stdio.h>
#include <string.h>
int f3(int n) { char b[64]; snprintf(b, sizeof b, "f3 %d", n); return (int) strlen(b) + n * 3; }
