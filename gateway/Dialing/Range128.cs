namespace Gateway.Dialing;

/// <summary>An address range as a network value and a mask over the same 32- or 128-bit space.</summary>
/// <param name="Network">The masked base address.</param>
/// <param name="Mask">Ones over the prefix.</param>
internal readonly record struct Range128(UInt128 Network, UInt128 Mask)
{
    /// <summary>The range of <paramref name="prefixLength"/> leading bits of <paramref name="value"/> in a <paramref name="bits"/>-bit space.</summary>
    public static Range128 Create(UInt128 value, int prefixLength, int bits)
    {
        UInt128 all = bits == 128 ? UInt128.MaxValue : (UInt128.One << bits) - 1;
        UInt128 mask = prefixLength == 0 ? UInt128.Zero : all & ~((UInt128.One << (bits - prefixLength)) - 1);
        return new Range128(value & mask, mask);
    }
}
