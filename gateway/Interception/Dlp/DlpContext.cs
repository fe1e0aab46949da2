using Gateway.Interception.Forwarding;

namespace Gateway.Interception.Dlp;

/// <summary>Who is sending: placeholders of this sandbox are its own and no leak; those of any other sandbox are.</summary>
/// <param name="Placeholders">The placeholder registry, or null when no placeholder is checked (benchmarks).</param>
/// <param name="Sandbox">The requesting sandbox.</param>
internal readonly record struct DlpContext(Placeholders? Placeholders, string Sandbox);
