using PolicyCompiler.Yaml;

namespace PolicyCompiler.Kits;

/// <summary>Durations in a kit, as in the gateway configuration: <c>500ms</c>, <c>10s</c>, <c>5m</c>, <c>1h</c>, <c>1m30s</c>.</summary>
internal static class KitDuration
{
    private const long MaxMilliseconds = 365L * 24 * 3_600_000;

    /// <summary>Reads the duration at <paramref name="node"/>; null (with an error) when it is not one or not positive.</summary>
    public static TimeSpan? Read(KitNodeReader reader, ConfigNode node, string path)
    {
        string? text = reader.String(node, path, required: true);
        if (text is null)
        {
            return null;
        }

        if (!TryParse(text, out TimeSpan duration) || duration <= TimeSpan.Zero)
        {
            reader.Error(node, path, $"\"{text}\" is not a positive duration; use e.g. 10s, 500ms, 5m");
            return null;
        }

        return duration;
    }

    private static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        ReadOnlySpan<char> rest = text.AsSpan();
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
        return totalMs > 0 || text.Length > 0;
    }
}
