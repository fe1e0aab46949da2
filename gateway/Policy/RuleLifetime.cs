using Gateway.Configuration;

namespace Gateway.Policy;

/// <summary>The <c>--for</c> of a rule or an approval, read the same way by the CLI and the admin API.</summary>
internal static class RuleLifetime
{
    /// <summary>The shortest lifetime: a rule gone before the command returns would only confuse.</summary>
    public static readonly TimeSpan Minimum = TimeSpan.FromSeconds(1);

    /// <summary>Parses <paramref name="text"/>; false with the operator's message when it is not a duration of at least 1s.</summary>
    public static bool TryParse(string text, out TimeSpan duration, out string error)
    {
        if (DurationSyntax.TryParse(text, out duration) && duration >= Minimum)
        {
            error = string.Empty;
            return true;
        }

        error = $"--for \"{text}\" is not a duration of at least 1s; use e.g. 90s, 30m, 2h, 1h30m";
        return false;
    }
}
