#include "CBaseline.h"
int c_baseline_placeholder(void){return 0;}
