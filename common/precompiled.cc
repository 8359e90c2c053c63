// The translation unit that precompiles common/precompiled.h (see there).
