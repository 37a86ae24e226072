//! The valuation of one item in one warehouse: FIFO layers or a moving average, as a pure state
//! machine over its moves in (date, seq) order. The same state is loaded from the stored levels and
//! layers for a move at the end of the history, and rebuilt from every move for a back-dated one,
//! so both paths value a move alike.
//!
//! Taking part of a layer (or of the average pool) takes
//! `round_half_even(value × taken / quantity)` in `i128`; taking all of it takes exactly its value,
//! so values always tie to the ledger to the cent. What is taken beyond what is on hand (only
//! when negative stock is allowed) is valued at [`Pool::unit_cost`] and kept as a deficit that the
//! next inbound move fills.

use std::collections::VecDeque;

use jiff::civil::Date;
use uuid::Uuid;

use super::Method;

/// A FIFO layer still (partly) in stock: what its inbound move brought, less what was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    pub move_id: Uuid,
    pub date: Date,
    pub seq: i64,
    /// Thousandths of the base unit; negative only for a deficit (stock taken that was not there).
    pub quantity: i64,
    pub value: i64,
}

/// `round_half_even(value × numerator / denominator)`, exact in `i128`. `None`: a zero
/// denominator or a result beyond `i64`.
pub fn share(value: i64, numerator: i64, denominator: i64) -> Option<i64> {
    if denominator == 0 {
        return None;
    }
    let n = i128::from(value) * i128::from(numerator);
    let d = i128::from(denominator);
    let (n, d) = if d < 0 { (-n, -d) } else { (n, d) };
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d);
    let twice = 2 * r;
    let q = if twice > d || (twice == d && q % 2 != 0) {
        q + 1
    } else {
        q
    };
    i64::try_from(q).ok()
}

/// What a move needs that is not in stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Short {
    pub on_hand: i64,
}

/// The valuation state of one item in one warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pool {
    pub method: Method,
    /// FIFO: the layers in stock, oldest first; at most one layer of negative quantity (the
    /// deficit), and then it is the only one. Average: unused.
    pub layers: VecDeque<Layer>,
    /// Average: the quantity and value on hand. FIFO: the sums of the layers.
    pub quantity: i64,
    pub value: i64,
    /// The item's purchase price per base unit: the cost of what is taken beyond stock when
    /// nothing in stock says better.
    pub fallback_cost: i64,
}

impl Pool {
    pub fn new(method: Method, fallback_cost: i64) -> Pool {
        Pool {
            method,
            layers: VecDeque::new(),
            quantity: 0,
            value: 0,
            fallback_cost,
        }
    }

    /// The state as stored: the level's totals and, for FIFO, the layers.
    pub fn loaded(method: Method, fallback_cost: i64, quantity: i64, value: i64, layers: Vec<Layer>) -> Pool {
        Pool {
            method,
            layers: if method == Method::Fifo {
                layers.into()
            } else {
                VecDeque::new()
            },
            quantity,
            value,
            fallback_cost,
        }
    }

    /// The cost of `quantity` at the current unit cost: the newest layer's (FIFO), the average,
    /// else the fallback (the purchase price).
    pub fn cost_of(&self, quantity: i64) -> i64 {
        let (value, per) = match self.method {
            Method::Fifo => self
                .layers
                .back()
                .map_or((self.fallback_cost, 1000), |l| (l.value, l.quantity)),
            Method::Average if self.quantity > 0 && self.value >= 0 => (self.value, self.quantity),
            Method::Average => (self.fallback_cost, 1000),
        };
        if per == 0 {
            return share(self.fallback_cost, quantity, 1000).unwrap_or(0);
        }
        share(value, quantity, per).unwrap_or(0)
    }

    /// Puts `quantity` worth `value` into stock (an inbound move). FIFO: a new layer, which first
    /// fills a deficit.
    pub fn receive(&mut self, move_id: Uuid, date: Date, seq: i64, quantity: i64, value: i64) {
        self.quantity += quantity;
        self.value += value;
        if self.method == Method::Average {
            return;
        }
        let mut layer = Layer {
            move_id,
            date,
            seq,
            quantity,
            value,
        };
        if let Some(front) = self.layers.front()
            && front.quantity <= 0
        {
            layer.quantity += front.quantity;
            layer.value += front.value;
            self.layers.pop_front();
        }
        if layer.quantity != 0 || layer.value != 0 {
            self.layers.push_back(layer);
        }
    }

    /// Takes `quantity` out of stock and answers its value (positive). Beyond what is on hand it
    /// is refused unless `negative` allows it; then the rest is valued at [`Pool::cost_of`].
    pub fn take(&mut self, move_id: Uuid, date: Date, seq: i64, quantity: i64, negative: bool) -> Result<i64, Short> {
        let on_hand = self.quantity.max(0);
        if quantity > on_hand && !negative {
            return Err(Short { on_hand: self.quantity });
        }
        let taken = match self.method {
            Method::Average => {
                if quantity <= on_hand {
                    if quantity == self.quantity {
                        self.value
                    } else {
                        share(self.value, quantity, self.quantity).unwrap_or(0)
                    }
                } else {
                    let from_stock = if on_hand > 0 { self.value } else { 0 };
                    let unit = if on_hand > 0 {
                        share(self.value, quantity - on_hand, on_hand).unwrap_or(0)
                    } else {
                        self.cost_of(quantity - on_hand)
                    };
                    from_stock + unit
                }
            }
            Method::Fifo => self.take_fifo(move_id, date, seq, quantity),
        };
        self.quantity -= quantity;
        self.value -= taken;
        Ok(taken)
    }

    fn take_fifo(&mut self, move_id: Uuid, date: Date, seq: i64, quantity: i64) -> i64 {
        let mut left = quantity;
        let mut taken = 0i64;
        let mut last: Option<(i64, i64)> = None;
        while left > 0 {
            let Some(front) = self.layers.front_mut() else { break };
            if front.quantity <= 0 {
                break;
            }
            last = Some((front.value, front.quantity));
            if front.quantity <= left {
                left -= front.quantity;
                taken += front.value;
                self.layers.pop_front();
            } else {
                let part = share(front.value, left, front.quantity).unwrap_or(0);
                front.quantity -= left;
                front.value -= part;
                taken += part;
                left = 0;
            }
        }
        if left > 0 {
            let extra = match last {
                Some((value, per)) if per > 0 => share(value, left, per).unwrap_or(0),
                _ => self.cost_of(left),
            };
            taken += extra;
            match self.layers.front_mut() {
                Some(deficit) if deficit.quantity <= 0 => {
                    deficit.quantity -= left;
                    deficit.value -= extra;
                }
                _ => self.layers.push_front(Layer {
                    move_id,
                    date,
                    seq,
                    quantity: -left,
                    value: -extra,
                }),
            }
        }
        taken
    }

    /// Adds a landed cost of `amount` to what is left of a receipt of `received` (its move
    /// `receipt`), and answers the share still on hand (the rest was delivered: cost of goods
    /// sold). FIFO: the receipt's layer's remaining quantity; average: as much of the receipt as
    /// the pool still holds.
    pub fn land(&mut self, receipt: Uuid, received: i64, amount: i64) -> i64 {
        let on_hand = match self.method {
            Method::Fifo => self
                .layers
                .iter()
                .find(|l| l.move_id == receipt)
                .map_or(0, |l| l.quantity.max(0)),
            Method::Average => self.quantity.clamp(0, received.max(0)),
        };
        let part = if on_hand >= received {
            amount
        } else {
            share(amount, on_hand, received).unwrap_or(0)
        };
        self.value += part;
        if self.method == Method::Fifo
            && let Some(l) = self.layers.iter_mut().find(|l| l.move_id == receipt)
        {
            l.value += part;
        }
        part
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    const D: Date = date(2026, 1, 1);

    #[test]
    fn shares_round_half_to_even() {
        assert_eq!(share(100, 1, 3), Some(33));
        assert_eq!(share(5, 1, 2), Some(2));
        assert_eq!(share(15, 1, 2), Some(8));
        assert_eq!(share(-5, 1, 2), Some(-2));
        assert_eq!(share(-15, 1, 2), Some(-8));
        assert_eq!(share(1, 1, 0), None);
    }

    #[test]
    fn fifo_takes_the_oldest_layers_first() {
        let mut p = Pool::new(Method::Fifo, 0);
        p.receive(Uuid::from_u128(1), D, 1, 10_000, 1000);
        p.receive(Uuid::from_u128(2), D, 2, 10_000, 1200);
        assert_eq!(p.take(Uuid::from_u128(3), D, 3, 15_000, false), Ok(1600));
        assert_eq!((p.quantity, p.value), (5_000, 600));
        assert_eq!(
            p.take(Uuid::from_u128(4), D, 4, 6_000, false),
            Err(Short { on_hand: 5_000 })
        );
        assert_eq!(p.take(Uuid::from_u128(4), D, 4, 5_000, false), Ok(600));
        assert_eq!((p.quantity, p.value), (0, 0));
    }

    #[test]
    fn the_average_moves_with_each_receipt() {
        let mut p = Pool::new(Method::Average, 0);
        p.receive(Uuid::from_u128(1), D, 1, 10_000, 1000);
        p.receive(Uuid::from_u128(2), D, 2, 10_000, 1200);
        assert_eq!(p.take(Uuid::from_u128(3), D, 3, 15_000, false), Ok(1650));
        assert_eq!(p.take(Uuid::from_u128(3), D, 4, 5_000, false), Ok(550));
        assert_eq!((p.quantity, p.value), (0, 0));
    }

    #[test]
    fn a_deficit_is_filled_by_the_next_receipt() {
        let mut p = Pool::new(Method::Fifo, 100);
        assert_eq!(p.take(Uuid::from_u128(1), D, 1, 2_000, true), Ok(200));
        p.receive(Uuid::from_u128(2), D, 2, 5_000, 600);
        assert_eq!((p.quantity, p.value), (3_000, 400));
        assert_eq!(p.layers.len(), 1);
    }

    #[test]
    fn a_landed_cost_splits_between_stock_and_delivered() {
        let mut p = Pool::new(Method::Fifo, 0);
        p.receive(Uuid::from_u128(1), D, 1, 10_000, 1000);
        p.take(Uuid::from_u128(2), D, 2, 4_000, false).unwrap();
        assert_eq!(p.land(Uuid::from_u128(1), 10_000, 100), 60);
        assert_eq!(p.value, 660);
    }
}
