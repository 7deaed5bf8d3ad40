int c_baseline_placeholder(void);
