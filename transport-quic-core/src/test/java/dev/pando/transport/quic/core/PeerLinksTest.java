package dev.pando.transport.quic.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PeerLinksTest {

    /** A link whose openness a test switches. */
    private static final class FakeLink implements PeerLinks.Link {
        final String name;
        final boolean accepted;
        boolean open = true;

        FakeLink(String name, boolean accepted) {
            this.name = name;
            this.accepted = accepted;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public boolean accepted() {
            return accepted;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    @Test
    void thePeerIsConnectedFromTheFirstLinkToTheRemovalOfTheLastOnceEachWay() {
        PeerLinks<FakeLink> links = new PeerLinks<>();
        FakeLink a = new FakeLink("a", true);
        FakeLink b = new FakeLink("b", false);
        assertThat(links.register(a, 2).connected()).isTrue();
        assertThat(links.register(b, 2).connected()).isFalse();
        assertThat(links.connected()).isTrue();
        assertThat(links.remove(a)).isFalse();
        assertThat(links.remove(b)).isTrue();
        assertThat(links.remove(b)).isFalse();
        assertThat(links.isEmpty()).isTrue();
        assertThat(links.connected()).isFalse();
    }

    @Test
    void aLinkThePeerOpensBeyondTheBoundReplacesTheOldestItOpened() {
        PeerLinks<FakeLink> links = new PeerLinks<>();
        FakeLink ours = new FakeLink("ours", false);
        FakeLink old = new FakeLink("old", true);
        FakeLink older = new FakeLink("older", true);
        FakeLink fresh = new FakeLink("fresh", true);
        links.register(older, 2);
        links.register(ours, 2);
        links.register(old, 2);
        PeerLinks.Registration<FakeLink> r = links.register(fresh, 2);
        assertThat(r.replaced()).isSameAs(older);
        assertThat(links.all()).containsExactly(ours, old, fresh);
        assertThat(links.holds(older)).isFalse();
    }

    @Test
    void linksThisNodeDialedDoNotCountSoACrossDialKeepsBothLinks() {
        PeerLinks<FakeLink> links = new PeerLinks<>();
        FakeLink ours = new FakeLink("ours", false);
        FakeLink theirs = new FakeLink("theirs", true);
        links.register(ours, 1);
        PeerLinks.Registration<FakeLink> r = links.register(theirs, 1);
        assertThat(r.replaced()).isNull();
        assertThat(links.all()).containsExactly(ours, theirs);
        FakeLink again = new FakeLink("again", false);
        assertThat(links.register(again, 1).replaced()).isNull();
        assertThat(links.all()).containsExactly(ours, theirs, again);
    }

    @Test
    void closedLinksDoNotCountAgainstTheBound() {
        PeerLinks<FakeLink> links = new PeerLinks<>();
        FakeLink old = new FakeLink("old", true);
        links.register(old, 1);
        old.open = false;
        PeerLinks.Registration<FakeLink> r = links.register(new FakeLink("fresh", true), 1);
        assertThat(r.replaced()).isNull();
        assertThat(links.openCount()).isEqualTo(1);
    }

    @Test
    void bothNodesPreferTheOpenLinkDialedByTheSmallerId() {
        FakeLink dialedByUs = new FakeLink("dialed", false);
        FakeLink acceptedFromThem = new FakeLink("accepted", true);
        PeerLinks<FakeLink> links = new PeerLinks<>();
        links.register(acceptedFromThem, 4);
        links.register(dialedByUs, 4);
        assertThat(links.preferred(true)).isSameAs(dialedByUs);
        assertThat(links.preferred(false)).isSameAs(acceptedFromThem);
        // the preferred one closed: any open link does
        dialedByUs.open = false;
        assertThat(links.preferred(true)).isSameAs(acceptedFromThem);
        acceptedFromThem.open = false;
        assertThat(links.preferred(true)).isNull();
    }
}
