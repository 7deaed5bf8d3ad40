int malloc_counter_placeholder(void);
