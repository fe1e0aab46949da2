using PolicyCompiler.Patterns;

namespace PolicyCompiler.Tests.Patterns;

public class PublicSuffixesTests
{
    [Theory]
    [InlineData("com")]                         // every single label counts, listed or not
    [InlineData("test")]
    [InlineData("localhost")]
    [InlineData("co.uk")]
    [InlineData("gov.uk")]
    [InlineData("com.au")]
    [InlineData("ac.jp")]
    [InlineData("k12.ma.us")]
    [InlineData("pvt.k12.ma.us")]               // more than two labels
    [InlineData("foo.ck")]                      // from the wildcard rule "*.ck"
    [InlineData("foo.kawasaki.jp")]             // from the wildcard rule "*.kawasaki.jp"
    [InlineData("xn--12c1fe0br.xn--o3cw4h")]    // IDN suffixes are stored as punycode
    public void IsPublicSuffix_ListedSuffix_IsTrue(string name)
    {
        Assert.True(PublicSuffixes.IsPublicSuffix(name));
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("example.co.uk")]
    [InlineData("a.b.example.com")]
    [InlineData("www.ck")]                      // the exception "!www.ck"
    [InlineData("city.kawasaki.jp")]            // the exception "!city.kawasaki.jp"
    [InlineData("kawasaki.jp")]                 // under "*.kawasaki.jp", not itself a rule
    [InlineData("example.foo.ck")]
    [InlineData("github.io")]                   // private section: not an ICANN suffix
    public void IsPublicSuffix_RegistrableOrDeeperName_IsFalse(string name)
    {
        Assert.False(PublicSuffixes.IsPublicSuffix(name));
    }

    [Theory]
    [InlineData("kawasaki.jp", true)]
    [InlineData("nom.br", true)]
    [InlineData("ck", true)]
    [InlineData("city.kawasaki.jp", false)]
    [InlineData("co.uk", false)]
    [InlineData("example.com", false)]
    public void HasPublicSuffixChildren_IsTrueOnlyUnderAWildcardRule(string name, bool expected)
    {
        Assert.Equal(expected, PublicSuffixes.HasPublicSuffixChildren(name));
    }
}
