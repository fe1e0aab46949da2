namespace Gateway.Tests.Docs;

/// <summary>
/// Tests that run `dotnet publish` on the checkout (the README's quickstart, ops/install.sh): never
/// two at once, since both build into the same obj/ directories.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PublishCollection
{
    public const string Name = "dotnet publish";
}
