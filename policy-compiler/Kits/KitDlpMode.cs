namespace PolicyCompiler.Kits;

/// <summary>What a DLP hit does on the hosts a kit intercepts (<c>network.dlp</c>).</summary>
public enum KitDlpMode
{
    /// <summary>The request is refused with 403 and audited with reason <c>dlp:&lt;pattern&gt;</c>.</summary>
    Block,

    /// <summary>The request goes on; the hit is audited (marked <c>wouldBlock</c>) and counted.</summary>
    Report,
}
