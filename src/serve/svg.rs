//! A small SVG diagram of an entity's neighbourhood: the entity in the middle, the nodes one
//! hop away around it, each edge labelled with its property and pointing from subject to
//! object. Drawn on the server; every node is a link to its own page.

use std::f64::consts::PI;
use std::fmt::Write;

use super::html::esc;

/// A node one hop away.
#[derive(Debug, Clone)]
pub struct Neighbour {
    /// The address of its page.
    pub href: String,
    /// Its label.
    pub label: String,
    /// The property (or properties) linking it, as text.
    pub edge: String,
    /// True when the edge goes from the entity to it.
    pub outgoing: bool,
}

const WIDTH: f64 = 860.0;
const HEIGHT: f64 = 560.0;
const CENTER_R: f64 = 14.0;
const NODE_R: f64 = 7.0;

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Draws the diagram. `hidden` is the number of neighbours left out (said in a caption).
pub fn diagram(center: &str, neighbours: &[Neighbour], hidden: usize) -> String {
    let (cx, cy) = (WIDTH / 2.0, HEIGHT / 2.0);
    let (rx, ry) = (WIDTH / 2.0 - 215.0, HEIGHT / 2.0 - 60.0);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"neighbourhood\" role=\"img\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         font-family=\"system-ui, 'DejaVu Sans', sans-serif\" font-size=\"12\">\
         <title>Neighbourhood of {}</title>\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
         markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#7a8394\"/></marker></defs>",
        esc(center)
    );
    let n = neighbours.len().max(1) as f64;
    let mut edges = String::new();
    let mut nodes = String::new();
    for (i, nb) in neighbours.iter().enumerate() {
        let angle = -PI / 2.0 + 2.0 * PI * i as f64 / n;
        let (x, y) = (cx + rx * angle.cos(), cy + ry * angle.sin());
        let (dx, dy) = (x - cx, y - cy);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        let near = (cx + ux * CENTER_R, cy + uy * CENTER_R);
        let far = (x - ux * NODE_R, y - uy * NODE_R);
        let (from, to) = if nb.outgoing {
            (near, far)
        } else {
            (far, near)
        };
        let _ = write!(
            edges,
            "<line class=\"edge\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" \
             stroke=\"#9aa5b5\" stroke-width=\"1.3\" marker-end=\"url(#arrow)\"/>",
            from.0, from.1, to.0, to.1
        );
        let (lx, ly) = (cx + dx * 0.55, cy + dy * 0.55);
        let _ = write!(
            edges,
            "<text class=\"edge-label\" x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" \
             fill=\"#4a5568\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
            esc(&shorten(&nb.edge, 28))
        );
        let (anchor, tx, ty) = if dx > 20.0 {
            ("start", x + 11.0, y + 4.0)
        } else if dx < -20.0 {
            ("end", x - 11.0, y + 4.0)
        } else if dy < 0.0 {
            ("middle", x, y - 12.0)
        } else {
            ("middle", x, y + 20.0)
        };
        let _ = write!(
            nodes,
            "<a class=\"node\" href=\"{}\"><title>{}</title>\
             <circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{NODE_R}\" fill=\"#e7eef8\" stroke=\"#1d5fa8\" stroke-width=\"1.5\"/>\
             <text x=\"{tx:.1}\" y=\"{ty:.1}\" text-anchor=\"{anchor}\" fill=\"#1d5fa8\">{}</text></a>",
            esc(&nb.href),
            esc(&nb.label),
            esc(&shorten(&nb.label, 27))
        );
    }
    s.push_str(&edges);
    s.push_str(&nodes);
    let _ = write!(
        s,
        "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"{CENTER_R}\" fill=\"#1d3557\"/>\
         <text class=\"center\" x=\"{cx}\" y=\"{:.1}\" text-anchor=\"middle\" font-weight=\"bold\" \
         font-size=\"14\" fill=\"#1d2330\" stroke=\"#fff\" stroke-width=\"4\" paint-order=\"stroke\">{}</text>",
        cy + CENTER_R + 18.0,
        esc(&shorten(center, 40))
    );
    if hidden > 0 {
        let _ = write!(
            s,
            "<text x=\"10\" y=\"{:.1}\" fill=\"#7a8394\">{hidden} more not drawn</text>",
            HEIGHT - 10.0
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_escaped_labelled_edges() {
        let svg = diagram(
            "Inetum <&>",
            &[
                Neighbour {
                    href: "/entity?iri=a&b".into(),
                    label: "<script>x</script>".into(),
                    edge: "committedBy".into(),
                    outgoing: false,
                },
                Neighbour {
                    href: "/entity?iri=c".into(),
                    label: "Maroc".into(),
                    edge: "location".into(),
                    outgoing: true,
                },
            ],
            3,
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("Inetum &lt;&amp;&gt;"));
        assert!(svg.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("href=\"/entity?iri=a&amp;b\""));
        assert!(svg.contains(">committedBy</text>"));
        assert!(svg.contains("3 more not drawn"));
        assert_eq!(svg.matches("<line").count(), 2);
    }
}
