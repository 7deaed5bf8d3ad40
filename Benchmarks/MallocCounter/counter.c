#include "MallocCounter.h"
int malloc_counter_placeholder(void){return 0;}
