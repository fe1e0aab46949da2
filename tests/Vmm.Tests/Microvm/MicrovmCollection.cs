namespace Vmm.Tests.Microvm;

/// <summary>
/// The test classes that boot a microVM run one after the other: two TCG guests booting at once on
/// a 2-core machine slow each other and every other test down, and each create takes a /30 block
/// another class may have just freed.
/// </summary>
[CollectionDefinition(Name)]
public sealed class MicrovmCollection
{
    public const string Name = "microvm";
}
