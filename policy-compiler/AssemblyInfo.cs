// Decide runs on every connection; zeroing stack buffers there is wasted work.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
