using Gateway.Interception.Dlp;

namespace Gateway.Tests.Interception.Dlp;

/// <summary>One row of the DLP table: a text, where it goes, and what DLP must say.</summary>
/// <param name="Name">What the row shows.</param>
/// <param name="Text">The text placed in the request.</param>
/// <param name="Place">Where it goes.</param>
/// <param name="Expected">The hit it must give; None for benign text and for the documented misses.</param>
/// <param name="KnownMiss">A secret DLP is documented not to catch (SECURITY.md "Round 2: DLP").</param>
internal sealed record DlpCase(string Name, string Text, DlpPlace Place, DlpPattern Expected, bool KnownMiss = false)
{
    /// <summary>True for rows that carry a secret (caught or a known miss).</summary>
    public bool IsSecret => Expected != DlpPattern.None || KnownMiss;

    public override string ToString() => $"{Name} ({Place})";
}
