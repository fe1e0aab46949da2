namespace Gateway.Configuration;

/// <summary>Durations such as <c>500ms</c>, <c>10s</c>, <c>5m</c>, <c>1h</c> or <c>1m30s</c>.</summary>
internal static class DurationSyntax
{
    /// <summary>The hint every duration error ends with.</summary>
    public const string Hint = "use e.g. 10s, 500ms, 5m";

    // Far beyond any sensible timeout, far below TimeSpan's range: "999999999h" must not overflow.
    private const long MaxMilliseconds = 365L * 24 * 3_600_000;

    /// <summary>Parses one or more number-unit pairs (units ms, s, m, h); a bare number has no unit and is refused.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        ReadOnlySpan<char> rest = text.AsSpan();
        if (rest.IsEmpty)
        {
            return false;
        }

        long totalMs = 0;
        while (!rest.IsEmpty)
        {
            int digits = rest.IndexOfAnyExceptInRange('0', '9');
            if (digits is 0 or -1 || digits > 9)
            {
                return false;
            }

            long value = long.Parse(rest[..digits], provider: null);
            rest = rest[digits..];
            long unitMs;
            if (rest.StartsWith("ms"))
            {
                unitMs = 1;
                rest = rest[2..];
            }
            else
            {
                unitMs = rest[0] switch { 's' => 1_000, 'm' => 60_000, 'h' => 3_600_000, _ => 0 };
                if (unitMs == 0)
                {
                    return false;
                }

                rest = rest[1..];
            }

            totalMs += value * unitMs;
            if (totalMs > MaxMilliseconds)
            {
                return false;
            }
        }

        duration = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }
}
