#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void){
  char *p = mmap(0, 4*4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
  p[0]=1; p[4096]=2; (void)p[8192];
  pid_t c = fork();
  if (c==0){ p[0]=3; _exit(0);} 
  waitpid(c,0,0);
  mprotect(p, 4096, PROT_READ);
  munmap(p, 4*4096);
  return 0;
}
