namespace PolicyCompiler.Kits;

/// <summary>What a kit is: an add-on to an agent, or the definition of one.</summary>
public enum KitKind : byte
{
    /// <summary>"mixin": layers capabilities onto an existing agent.</summary>
    Mixin,

    /// <summary>"sandbox" (formerly "agent"): defines an agent of its own.</summary>
    Sandbox,
}
