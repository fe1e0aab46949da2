using System.Globalization;

namespace PolicyCompiler.Budgets;

/// <summary>
/// The keys and values of a budgets mapping, shared by the kit parser and the gateway's config
/// validator so both accept the same text and teach the same fix.
/// </summary>
public static class BudgetSyntax
{
    /// <summary>The keys of a budgets mapping.</summary>
    public static IReadOnlyList<string> Keys { get; } = ["connections", "connectionsPerSecond", "requestsPerSecond", "uploadBytesPerHour"];

    /// <summary>Largest count accepted: beyond it a budget bounds nothing the gateway could serve.</summary>
    public const int MaxCount = 10_000_000;

    /// <summary>Largest upload budget, 2047 GiB: the byte window counts KiB in an <see cref="int"/>.</summary>
    public const long MaxUploadBytes = 2047L << 30;

    private static readonly (string Unit, long Factor)[] s_units =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000), ("B", 1),
    ];

    /// <summary>A count budget (connections, per-second rates): a whole number from 1 to <see cref="MaxCount"/>; null and a message otherwise.</summary>
    public static int? ParseCount(string key, string text, out string? error)
    {
        error = null;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
        {
            error = $"\"{text}\" is not a whole number; write e.g. {key}: {Example(key)}";
            return null;
        }

        if (value is < 1 or > MaxCount)
        {
            // Zero would refuse everything: a sandbox that must not talk is one without allow rules.
            error = $"{value} is out of range; use 1-{MaxCount} (leave {key} out for no bound)";
            return null;
        }

        return value;
    }

    /// <summary>An upload budget: a size such as <c>1GiB</c>, <c>500MB</c> or a number of bytes, from 1KiB to 2047GiB; null and a message otherwise.</summary>
    public static long? ParseBytes(string key, string text, out string? error)
    {
        error = null;
        int digits = text.AsSpan().IndexOfAnyExceptInRange('0', '9');
        if (digits == -1)
        {
            digits = text.Length;
        }

        long factor = digits == text.Length ? 1 : 0;
        foreach ((string unit, long f) in s_units)
        {
            if (factor == 0 && text.AsSpan(digits).SequenceEqual(unit))
            {
                factor = f;
            }
        }

        if (digits is 0 or > 13 || factor == 0)
        {
            error = $"\"{text}\" is not a size; write e.g. {key}: 1GiB (units B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)";
            return null;
        }

        long value = long.Parse(text.AsSpan(0, digits), provider: CultureInfo.InvariantCulture);
        if (value > MaxUploadBytes / factor || value * factor < 1024 || value * factor > MaxUploadBytes)
        {
            error = $"\"{text}\" is out of range; use 1KiB-2047GiB (leave {key} out for no bound)";
            return null;
        }

        return value * factor;
    }

    private static string Example(string key) => key switch
    {
        "connections" => "200",
        "connectionsPerSecond" => "50",
        _ => "100",
    };
}
