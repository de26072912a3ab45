//! A small SVG diagram of an entity's neighbourhood: the entity in the middle, the nodes one
//! hop away around it, each edge labelled with its property and pointing from subject to
//! object. Drawn on the server; every node is a link to its own page.
//!
//! The layout ([`layout`]) is computed before drawing: nodes on an ellipse that grows with
//! their number, each text's box estimated from its length, each edge label placed at the
//! first offset along its edge where its box meets no other text's box; an edge whose label
//! fits nowhere gets a number instead, explained in a legend under the drawing. The canvas
//! is the bounding box of everything drawn, plus a margin.

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

/// What a text box holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoxKind {
    /// The entity's name, under the centre.
    Center,
    /// A neighbour's name.
    Node,
    /// An edge's property (or its legend number).
    Edge,
    /// A line of the legend.
    Legend,
}

/// The estimated box of one text of the diagram, in the diagram's coordinates.
#[derive(Debug, Clone)]
pub struct TextBox {
    /// What the text is.
    pub kind: BoxKind,
    /// The text as drawn.
    pub text: String,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// How the text is anchored (`start`, `middle`, `end`), as in SVG.
    pub anchor: &'static str,
    /// Font size in px.
    pub size: f64,
}

impl TextBox {
    /// Where the text is drawn: the anchor point's x and the baseline's y.
    pub fn origin(&self) -> (f64, f64) {
        let x = match self.anchor {
            "start" => self.x + 1.0,
            "end" => self.x + self.w - 1.0,
            _ => self.x + self.w / 2.0,
        };
        (x, self.y + 1.0 + self.size * 0.82)
    }
}

impl TextBox {
    /// True when the two boxes share some area.
    pub fn intersects(&self, other: &TextBox) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }
}

/// The estimated width of `text` at `size` px: a generous 0.62 em per character, so that
/// the boxes contain the glyphs of the fonts the page asks for.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.62
}

/// One drawn neighbour: its position, its edge's end points and where its label went.
#[derive(Debug, Clone)]
pub struct Placed {
    /// The node's centre.
    pub at: (f64, f64),
    /// The arrow's start and end.
    pub line: ((f64, f64), (f64, f64)),
    /// The node's label box.
    pub label: TextBox,
    /// The edge label's box: the property, or the legend number when it did not fit;
    /// `None` when every edge has the same property, said once in the legend.
    pub edge: Option<TextBox>,
    /// The legend number, when the property is in the legend.
    pub legend: Option<usize>,
}

/// The whole layout of a diagram.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The centre.
    pub center: (f64, f64),
    /// The entity's name box.
    pub center_label: TextBox,
    /// The neighbours, in the order given.
    pub placed: Vec<Placed>,
    /// The legend's lines (number, property, node), under the drawing.
    pub legend: Vec<TextBox>,
    /// The canvas: min x, min y, width, height.
    pub view: (f64, f64, f64, f64),
}

impl Layout {
    /// Every text box of the diagram.
    pub fn boxes(&self) -> Vec<&TextBox> {
        let mut out = vec![&self.center_label];
        for p in &self.placed {
            out.push(&p.label);
            out.extend(p.edge.as_ref());
        }
        out.extend(self.legend.iter());
        out
    }
}

const FONT: f64 = 12.0;
const CENTER_FONT: f64 = 14.0;
const LINE_H: f64 = 17.0;
const CENTER_R: f64 = 14.0;
const NODE_R: f64 = 7.0;
const MARGIN: f64 = 12.0;
/// Offsets along an edge (0 at the centre, 1 at the node) tried for its label, in order.
const OFFSETS: &[f64] = &[0.55, 0.4, 0.7, 0.3, 0.8, 0.47, 0.62, 0.35, 0.75, 0.25, 0.85];
/// From this many neighbours, edges that all have the same property are not labelled one by
/// one: the legend says it once.
const SHARED_EDGES: usize = 6;
/// Longest node label, in characters.
const NODE_CHARS: usize = 27;
/// Longest edge label, in characters.
const EDGE_CHARS: usize = 28;
/// Longest centre label, in characters.
const CENTER_CHARS: usize = 40;

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A box for `text` drawn at (`x`, `y`) (the baseline) with `anchor`.
fn text_box(
    kind: BoxKind,
    text: String,
    x: f64,
    y: f64,
    anchor: &'static str,
    size: f64,
) -> TextBox {
    let w = text_width(&text, size);
    let left = match anchor {
        "start" => x,
        "end" => x - w,
        _ => x - w / 2.0,
    };
    // Ascent about 0.8 em above the baseline, descent about 0.25 em below.
    TextBox {
        kind,
        text,
        x: left - 1.0,
        y: y - size * 0.82 - 1.0,
        w: w + 2.0,
        h: size * 1.1 + 2.0,
        anchor,
        size,
    }
}

/// A node's centre, its edge's ends, its name's box and its offset from the centre.
type NodeGeometry = ((f64, f64), ((f64, f64), (f64, f64)), TextBox, (f64, f64));

/// The nodes on an ellipse of half-height `ry`: the boxes taken (the centre's name, then
/// the nodes'), and each node's geometry.
fn place_nodes(
    neighbours: &[Neighbour],
    center_label: &TextBox,
    ry: f64,
) -> (Vec<TextBox>, Vec<NodeGeometry>) {
    let n = neighbours.len();
    let rx = (ry * 1.4).max(190.0);
    let (cx, cy) = (0.0, 0.0);
    let mut taken: Vec<TextBox> = vec![center_label.clone()];
    let mut geometry = Vec::with_capacity(n);
    for (i, nb) in neighbours.iter().enumerate() {
        let angle = -PI / 2.0 + 2.0 * PI * i as f64 / n.max(1) as f64;
        let (x, y) = (cx + rx * angle.cos(), cy + ry * angle.sin());
        let (dx, dy) = (x - cx, y - cy);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        let near = (cx + ux * CENTER_R, cy + uy * CENTER_R);
        let far = (x - ux * NODE_R, y - uy * NODE_R);
        let line = if nb.outgoing {
            (near, far)
        } else {
            (far, near)
        };
        let (anchor, tx, ty) = if dx > 20.0 {
            ("start", x + 11.0, y + 4.0)
        } else if dx < -20.0 {
            ("end", x - 11.0, y + 4.0)
        } else if dy < 0.0 {
            ("middle", x, y - 12.0)
        } else {
            ("middle", x, y + 20.0)
        };
        let label = text_box(
            BoxKind::Node,
            shorten(&nb.label, NODE_CHARS),
            tx,
            ty,
            anchor,
            FONT,
        );
        taken.push(label.clone());
        geometry.push(((x, y), line, label, (dx, dy)));
    }
    (taken, geometry)
}

/// Lays the diagram out (see the module documentation).
pub fn layout(center: &str, neighbours: &[Neighbour]) -> Layout {
    let n = neighbours.len();
    let (cx, cy) = (0.0, 0.0);
    let center_label = text_box(
        BoxKind::Center,
        shorten(center, CENTER_CHARS),
        cx,
        cy + CENTER_R + 18.0,
        "middle",
        CENTER_FONT,
    );
    // The ellipse grows with the number of nodes; when node names still meet each other or
    // the centre's name, it grows again (names keep their size, so they end up apart).
    let base_ry = (n as f64 * 14.0).clamp(80.0, 280.0);
    let mut scale = 1.0;
    let (mut taken, geometry) = loop {
        let (taken, geometry) = place_nodes(neighbours, &center_label, base_ry * scale);
        let apart = taken
            .iter()
            .enumerate()
            .all(|(i, a)| taken[i + 1..].iter().all(|b| !a.intersects(b)));
        if apart || scale > 4.0 {
            break (taken, geometry);
        }
        scale *= 1.15;
    };
    let mut placed = Vec::with_capacity(n);
    let mut in_legend: Vec<(usize, usize)> = Vec::new();
    // Many edges of one property (the facts derived from a source) are said once.
    let shared = (n >= SHARED_EDGES && neighbours.iter().all(|nb| nb.edge == neighbours[0].edge))
        .then(|| neighbours[0].edge.clone());
    for (i, ((x, y), line, label, (dx, dy))) in geometry.into_iter().enumerate() {
        if shared.is_some() {
            placed.push(Placed {
                at: (x, y),
                line,
                label,
                edge: None,
                legend: None,
            });
            continue;
        }
        let text = shorten(&neighbours[i].edge, EDGE_CHARS);
        let fits = |b: &TextBox| !taken.iter().any(|t| t.intersects(b));
        let mut chosen = OFFSETS.iter().find_map(|t| {
            let b = text_box(
                BoxKind::Edge,
                text.clone(),
                cx + dx * t,
                cy + dy * t + 4.0,
                "middle",
                FONT,
            );
            fits(&b).then_some(b)
        });
        let mut legend = None;
        if chosen.is_none() {
            let number = in_legend.len() + 1;
            legend = Some(number);
            in_legend.push((number, i));
            chosen = OFFSETS.iter().find_map(|t| {
                let b = text_box(
                    BoxKind::Edge,
                    format!("[{number}]"),
                    cx + dx * t,
                    cy + dy * t + 4.0,
                    "middle",
                    FONT,
                );
                fits(&b).then_some(b)
            });
        }
        // Past every offset, the number beside the node's name (after it, before it, above
        // or below it), the first of these places that is free.
        let edge = chosen.unwrap_or_else(|| {
            let number = format!("[{}]", legend.unwrap_or(0));
            let baseline = label.y + 1.0 + FONT * 0.82;
            let candidates = [
                (label.x + label.w + 4.0, baseline, "start"),
                (label.x - 4.0, baseline, "end"),
                (label.x + label.w / 2.0, baseline - LINE_H, "middle"),
                (label.x + label.w / 2.0, baseline + LINE_H, "middle"),
                (x, y - NODE_R - 6.0, "middle"),
            ];
            let boxes: Vec<TextBox> = candidates
                .iter()
                .map(|&(bx, by, anchor)| {
                    text_box(BoxKind::Edge, number.clone(), bx, by, anchor, FONT)
                })
                .collect();
            let first = boxes[0].clone();
            boxes.into_iter().find(|b| fits(b)).unwrap_or(first)
        });
        taken.push(edge.clone());
        let edge = Some(edge);
        placed.push(Placed {
            at: (x, y),
            line,
            label,
            edge,
            legend,
        });
    }
    // The canvas so far, then the legend under it.
    let mut min = (cx - CENTER_R, cy - CENTER_R);
    let mut max = (cx + CENTER_R, cy + CENTER_R);
    fn grow(min: &mut (f64, f64), max: &mut (f64, f64), b: (f64, f64, f64, f64)) {
        *min = (min.0.min(b.0), min.1.min(b.1));
        *max = (max.0.max(b.2), max.1.max(b.3));
    }
    for b in &taken {
        grow(&mut min, &mut max, (b.x, b.y, b.x + b.w, b.y + b.h));
    }
    for p in &placed {
        grow(
            &mut min,
            &mut max,
            (
                p.at.0 - NODE_R - 2.0,
                p.at.1 - NODE_R - 2.0,
                p.at.0 + NODE_R + 2.0,
                p.at.1 + NODE_R + 2.0,
            ),
        );
    }
    let mut legend = Vec::new();
    let mut y = max.1 + 10.0;
    if let Some(edge) = &shared {
        y += LINE_H;
        legend.push(text_box(
            BoxKind::Legend,
            shorten(&format!("every arrow: {edge}"), 90),
            min.0,
            y,
            "start",
            FONT,
        ));
    }
    for (number, i) in in_legend {
        y += LINE_H;
        legend.push(text_box(
            BoxKind::Legend,
            shorten(
                &format!(
                    "[{number}] {} — {}",
                    neighbours[i].edge,
                    shorten(&neighbours[i].label, NODE_CHARS)
                ),
                90,
            ),
            min.0,
            y,
            "start",
            FONT,
        ));
    }
    for b in &legend {
        grow(&mut min, &mut max, (b.x, b.y, b.x + b.w, b.y + b.h));
    }
    Layout {
        center: (cx, cy),
        center_label,
        placed,
        legend,
        view: (
            min.0 - MARGIN,
            min.1 - MARGIN,
            max.0 - min.0 + 2.0 * MARGIN,
            max.1 - min.1 + 2.0 * MARGIN,
        ),
    }
}

/// Draws the diagram. `hidden` is the number of neighbours left out (said in a caption).
pub fn diagram(center: &str, neighbours: &[Neighbour], hidden: usize) -> String {
    let mut l = layout(center, neighbours);
    if hidden > 0 {
        let y = l.view.1 + l.view.3 + LINE_H - MARGIN + 4.0;
        let note = text_box(
            BoxKind::Legend,
            format!("{hidden} more not drawn"),
            l.view.0 + MARGIN,
            y,
            "start",
            FONT,
        );
        let right = (note.x + note.w + MARGIN).max(l.view.0 + l.view.2);
        l.view.2 = right - l.view.0;
        l.view.3 = note.y + note.h + MARGIN - l.view.1;
        l.legend.push(note);
    }
    let (vx, vy, vw, vh) = l.view;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"neighbourhood\" role=\"img\" \
         viewBox=\"{vx:.1} {vy:.1} {vw:.1} {vh:.1}\" width=\"{vw:.0}\" height=\"{vh:.0}\" \
         font-family=\"system-ui, 'DejaVu Sans', sans-serif\" font-size=\"{FONT}\">\
         <title>Neighbourhood of {}</title>\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
         markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#7a8394\"/></marker></defs>",
        esc(center)
    );
    let mut edges = String::new();
    let mut labels = String::new();
    let mut nodes = String::new();
    for (p, nb) in l.placed.iter().zip(neighbours) {
        let ((x1, y1), (x2, y2)) = p.line;
        let _ = write!(
            edges,
            "<line class=\"edge\" x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" \
             stroke=\"#9aa5b5\" stroke-width=\"1.3\" marker-end=\"url(#arrow)\"/>"
        );
        if let Some(edge) = &p.edge {
            let (ex, ey) = edge.origin();
            let _ = write!(
                labels,
                "<text class=\"edge-label\" x=\"{ex:.1}\" y=\"{ey:.1}\" text-anchor=\"{}\" \
                 fill=\"#4a5568\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
                edge.anchor,
                esc(&edge.text)
            );
        }
        let (tx, ty) = p.label.origin();
        let (x, y) = p.at;
        let _ = write!(
            nodes,
            "<a class=\"node\" href=\"{}\"><title>{}</title>\
             <circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{NODE_R}\" fill=\"#e7eef8\" stroke=\"#1d5fa8\" stroke-width=\"1.5\"/>\
             <text class=\"node-label\" x=\"{tx:.1}\" y=\"{ty:.1}\" text-anchor=\"{}\" fill=\"#1d5fa8\">{}</text></a>",
            esc(&nb.href),
            esc(&nb.label),
            p.label.anchor,
            esc(&p.label.text)
        );
    }
    s.push_str(&edges);
    s.push_str(&labels);
    s.push_str(&nodes);
    let (cx, cy) = l.center;
    let (lx, ly) = l.center_label.origin();
    let _ = write!(
        s,
        "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"{CENTER_R}\" fill=\"#1d3557\"/>\
         <text class=\"center\" x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" font-weight=\"bold\" \
         font-size=\"{CENTER_FONT}\" fill=\"#1d2330\" stroke=\"#fff\" stroke-width=\"4\" paint-order=\"stroke\">{}</text>",
        esc(&l.center_label.text)
    );
    for b in &l.legend {
        let (x, y) = b.origin();
        let _ = write!(
            s,
            "<text class=\"legend\" x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"start\" fill=\"#4a5568\">{}</text>",
            esc(&b.text)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nb(label: &str, edge: &str, outgoing: bool) -> Neighbour {
        Neighbour {
            href: format!("/entity?iri={label}"),
            label: label.into(),
            edge: edge.into(),
            outgoing,
        }
    }

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
                nb("Maroc", "location", true),
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

    fn assert_apart_and_inside(l: &Layout) {
        let boxes = l.boxes();
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                assert!(!a.intersects(b), "{a:?} overlaps {b:?}");
            }
            let (vx, vy, vw, vh) = l.view;
            assert!(a.x >= vx && a.y >= vy && a.x + a.w <= vx + vw && a.y + a.h <= vy + vh);
        }
    }

    #[test]
    fn labels_never_overlap_and_the_canvas_fits_them() {
        for n in 1..=24 {
            let many: Vec<Neighbour> = (0..n)
                .map(|i| {
                    nb(
                        &format!("A rather long organisation name {i}"),
                        &format!("signatory, member, organization {i}"),
                        i % 2 == 0,
                    )
                })
                .collect();
            let l = layout(
                "Agence Marocaine de Développement des Investissements",
                &many,
            );
            assert_apart_and_inside(&l);
        }
        // One property on every edge of a crowded diagram is said once.
        let same: Vec<Neighbour> = (0..12)
            .map(|i| nb(&format!("fact {i}"), "wasDerivedFrom", false))
            .collect();
        let l = layout("A source", &same);
        assert_apart_and_inside(&l);
        assert!(l.placed.iter().all(|p| p.edge.is_none()));
        assert_eq!(l.legend.len(), 1);
        assert_eq!(l.legend[0].text, "every arrow: wasDerivedFrom");
        // A small diagram is small: no fixed canvas.
        let small = layout("Rabat", &[nb("Maroc", "containedInPlace", true)]);
        assert!(
            small.view.2 < 500.0 && small.view.3 < 260.0,
            "{:?}",
            small.view
        );
    }
}
