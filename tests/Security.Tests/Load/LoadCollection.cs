namespace Security.Tests.Load;

/// <summary>Load and fault cases run alone: they measure memory and descriptors, and hold thousands of sockets.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadCollection
{
    public const string Name = "load";
}
