namespace Gateway.Configuration;

/// <summary>Sizes such as <c>100MiB</c>, <c>512KiB</c>, <c>1GiB</c>, <c>10MB</c> or a number of bytes.</summary>
internal static class ByteSizeSyntax
{
    /// <summary>The hint every size error ends with.</summary>
    public const string Hint = "use e.g. 100MiB, 512KiB, 1GiB";

    private static readonly (string Unit, long Factor)[] s_units =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1),
    ];

    /// <summary>Parses a whole number followed by an optional unit (IEC or SI, case as written).</summary>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        int digits = text.AsSpan().IndexOfAnyExceptInRange('0', '9');
        if (digits == -1)
        {
            digits = text.Length;
        }

        if (digits is 0 or > 12)
        {
            return false;
        }

        long value = long.Parse(text.AsSpan(0, digits), provider: null);
        string unit = text[digits..];
        if (unit.Length == 0)
        {
            bytes = value;
            return true;
        }

        foreach ((string name, long factor) in s_units)
        {
            if (unit == name)
            {
                bytes = value * factor;
                return true;
            }
        }

        return false;
    }
}
