namespace LoadDriver.Origin;

/// <summary>
/// The body the origin serves for <c>GET /N</c>: N bytes of a fixed pattern. The driver holds
/// the same bytes, so a truncated, reordered or substituted body is detected, not just a wrong length.
/// </summary>
internal static class OriginBody
{
    /// <summary>The largest body the origin serves.</summary>
    public const int MaxSize = 1 << 20;

    private static readonly byte[] s_pattern = Create();

    /// <summary>The first <paramref name="size"/> bytes of the pattern.</summary>
    public static ReadOnlyMemory<byte> Of(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxSize);
        return s_pattern.AsMemory(0, size);
    }

    private static byte[] Create()
    {
        var bytes = new byte[MaxSize];
        for (int i = 0; i < bytes.Length; i++)
        {
            // Period 61 (prime), so no power-of-two chunking lines up with it.
            bytes[i] = (byte)('A' + (i % 61));
        }

        return bytes;
    }
}
