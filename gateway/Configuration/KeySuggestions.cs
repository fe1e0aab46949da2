using PolicyCompiler.Kits;

namespace Gateway.Configuration;

/// <summary>"Did you mean" for misspelt keys and values: the closest candidate by edit distance.</summary>
internal static class KeySuggestions
{
    /// <summary>
    /// The candidate nearest to <paramref name="text"/> (ignoring case), or null when none is close
    /// enough to be the likely intent: at most a third of the word may differ, and always one edit.
    /// </summary>
    public static string? Closest(string text, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            int distance = KeySuggestion.Distance(text.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        int allowed = Math.Max(1, Math.Max(text.Length, best?.Length ?? 0) / 3);
        return bestDistance <= allowed ? best : null;
    }
}
